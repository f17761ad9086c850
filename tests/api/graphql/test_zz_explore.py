import json
from tests.api.graphql.conftest import *  # noqa


def show(r):
    print(
        r.status_code,
        {
            k: v
            for k, v in r.headers.items()
            if k.lower() in ("www-authenticate", "retry-after", "ratelimit", "content-type")
        },
        r.text[:600],
    )


def test_explore(client, prod_client, demo):
    t = demo.tokens["analyst"]
    show(gql_get(client, {"query": "mutation { __typename }"}, token=t))
    show(gql_get(client, {"query": "mutation M { __typename }", "operationName": "M"}, token=t))
    show(gql_get(client, {"query": "{ me { name } }"}, token=t))
    show(client.post("/graphql", data={"query": "{ me { name } }"}, headers=auth(t)))
    show(
        client.post(
            "/graphql", content="{ me { name } }", headers={**auth(t), "Content-Type": "text/plain"}
        )
    )
    show(client.post("/graphql", files={"query": (None, "{ me { name } }")}, headers=auth(t)))
    show(
        client.post(
            "/graphql",
            content=b'{"query": ',
            headers={**auth(t), "Content-Type": "application/json"},
        )
    )
    show(
        client.post(
            "/graphql",
            content=json.dumps({"query": "{ me { name } }", "pad": "x" * 600_000}),
            headers={**auth(t), "Content-Type": "application/json"},
        )
    )
    show(client.post("/graphql", json=[{"query": "{ me { name } }"}] * 5, headers=auth(t)))
    show(client.post("/graphql", json=[{"query": "{ me { name } }"}] * 10, headers=auth(t)))
    show(client.post("/graphql", json={"query": "{ me { name } }"}))
    show(
        client.post(
            "/graphql", json={"query": "{ me { name } }"}, headers=auth("garbage.token.here")
        )
    )
    show(
        client.post(
            "/graphql",
            json={"query": "{ me { name } }"},
            headers=auth(t),
        )
    )
    show(
        client.post(
            "/graphql",
            json={"query": "{ me { name } }"},
            headers={**auth(t), "X-IG-Purpose": "aml"},
        )
    )
    show(
        client.post(
            "/graphql",
            json={"query": "{ me { name } }"},
            headers={**auth(t), "X-IG-Authority": "nope"},
        )
    )
    show(
        client.post(
            "/graphql",
            json={
                "query": '{ me { name currentPurpose authority } entity(id: "%s") { ... on Person { birthDate nationality } redactions { property } } }'
                % PERSON0
            },
            headers={**auth(t), "X-IG-Authority": demo.authority_id},
        )
    )
