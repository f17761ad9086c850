from graphql import parse
from intelgraph.api.graphql.cost import analyse
from intelgraph.api.graphql.service import GraphQLService
from tests.api.graphql.conftest import *  # noqa

def test_explore(demo):
    with demo.open() as p:
        s = GraphQLService.from_platform(p)
        ids = sorted(demo.visible["analyst"])[:100]
        q = """query($ids: [ID!]!) { entities(ids: $ids) { caption labels { tenant } provenance { edges { node { value source { name } record { uri } } } } ... on Edge { source { caption } target { caption } } } }"""
        print(analyse(s.api.schema._schema, parse(q), variables={"ids": ids}))
        deep = 'query { entity(id: "x") { ' + '... on Edge { source { ' * 14 + 'id' + ' } }' * 14 + ' } }'
        print(analyse(s.api.schema._schema, parse(deep)))
        big = '{ search(query: "a", first: 200) { edges { node { caption labels { tenant classification } } } } }'
        print(analyse(s.api.schema._schema, parse(big)))
