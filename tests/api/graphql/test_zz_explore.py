import json
from tests.api.graphql.conftest import *  # noqa

FIELDS = {
 "entity": "query($id: ID!) { entity(id: $id) { id } }",
 "entities": "query($id: ID!) { entities(ids: [$id]) { id } }",
 "neighbors": "query($id: ID!) { neighbors(id: $id) { edges { edgeId } } }",
 "paths": "query($id: ID!) { paths(from: $id, to: \"%s\") { hops } }" % PERSON0,
 "subgraph": "query($id: ID!) { subgraph(ids: [$id]) { missing } }",
 "statements": "query($id: ID!) { statements(entityId: $id) { totalCount } }",
 "evidence": "query($id: ID!) { evidence(statementId: $id) { verified } }",
 "retract": "mutation($id: ID!) { retractStatement(statementId: $id, reason: \"x\") { __typename } }",
}
def test_explore(backend):
    with backend.open() as p, make_client(p) as c:
        t = backend.tokens["analyst"]
        for name, q in FIELDS.items():
            for odd in ("a\u0000b", "\ud800", ABSENT):
                body = json.dumps({"query": q, "variables": {"id": odd}})
                r = c.post("/graphql", content=body, headers={**auth(t), "Content-Type": "application/json"})
                codes = [e["extensions"]["code"] for e in r.json().get("errors", [])]
                print(p.store.dialect_name, name, repr(odd)[:8], r.status_code, codes)
