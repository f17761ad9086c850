from tests.api.graphql.conftest import *  # noqa

def test_explore(backend):
    with backend.open() as p, make_client(p) as c:
        t = backend.tokens["analyst"]
        for q, v in [("query($q: String!) { search(query: $q) { totalCount } }", {"q": "a\u0000b"}),
                     ("query($q: ID!) { entity(id: $q) { id } }", {"q": "a\u0000b"}),
                     ("query($q: [ID!]!) { entities(ids: $q) { id } }", {"q": ["a\u0000b"]}),
                     ("query($q: ID!) { neighbors(id: $q) { edges { edgeId } } }", {"q": "a\u0000b"}),
                     ("query($q: ID!) { statements(entityId: $q) { totalCount } }", {"q": "a\u0000b"}),
                     ("query($q: ID!) { evidence(statementId: $q) { verified } }", {"q": "a\u0000b"}),
                     ("query($q: [ID!]!) { subgraph(ids: $q) { missing } }", {"q": ["a\u0000b"]}),
                     ("query($q: String!) { search(query: $q) { totalCount } }", {"q": "\ud800"}),
                     ("query($q: String!) { search(query: $q) { totalCount } }", {"q": "\"a OR b*"}),
                     ("query($q: String!) { search(query: $q) { totalCount } }", {"q": "NEAR(a b) AND"}),
                     ("query($q: [String!]) { neighbors(id: \"x\", edgeTypes: $q) { edges { edgeId } } }", {"q": ["\u0000"]}),
                     ]:
            r = c.post("/graphql", json={"query": q, "variables": v}, headers=auth(t))
            print(p.store.dialect_name, r.status_code, r.text[:300])
