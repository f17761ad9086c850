import json
from tests.api.graphql.conftest import *  # noqa

def show(r):
    print(r.status_code, r.text[:400])

def test_explore(prod_client, client, demo):
    t = demo.tokens["analyst"]
    c = prod_client
    show(gql(c, "{ " + " ".join(f"a{i}: me {{ name }}" for i in range(100)) + " }", token=t))
    show(gql(c, "{ " + " ".join(f"a{i}: __typename" for i in range(100)) + " }", token=t))
    show(gql(c, "{ " + " ".join("__typename" for i in range(1000)) + " }", token=t))
    show(gql(c, "{ me { " + " ".join("name" for i in range(1000)) + " } }", token=t))
    show(gql(c, "{ me " + " ".join("@include(if: true)" for i in range(100)) + " { name } }", token=t))
    show(gql(c, "{ me " + " ".join("@aa" for i in range(100)) + " { name } }", token=t))
    show(gql(c, "{ __typename " + " ".join("@aa" for i in range(100)) + " }", token=t))
    show(gql(c, "query { __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }", token=t))
    show(gql(c, "query { __type(name: \"Query\") { name } }", token=t))
    show(gql(c, "query { ...F } fragment F on Query { __schema { queryType { name } } }", token=t))
    show(gql(c, "{ __typename }", token=t))
    show(gql(client, "{ " + " ".join("__typename" for i in range(1000)) + " }", token=t))
    show(gql(client, "{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } } } }", token=t))
    show(gql(client, "{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields { type { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } } } } } } } } } } } } }", token=t))
    r = c.get("/graphql", headers={"Accept": "text/html"})
    print(r.status_code, r.headers.get("content-type"), r.text[:100])
    r = c.get("/graphql?query={__typename}", headers={"Accept": "text/html", **auth(t)})
    print(r.status_code, r.headers.get("content-type"), r.text[:100])
    r = c.get("/graphiql", headers={"Accept": "text/html"})
    print(r.status_code, r.headers.get("content-type"), r.text[:100])
