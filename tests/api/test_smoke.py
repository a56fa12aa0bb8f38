"""Smoke test: the demo village is served, and the README's promise holds:
222 households in 5 groups, visible to the village admin."""
from harness import Server, run, eq, status


def test_demo_village_served():
    s = Server()
    try:
        status(s.anon().get("/api/v1/health"), 200, "health")
        admin = s.login("admin")
        groups = status(admin.get(f"/api/v1/villages/{s.village_id}/groups"), 200, "groups").json["items"]
        eq([g["name"] for g in groups], ["一组", "二组", "三组", "四组", "五组"], "group names")
        eq(sum(g["household_count"] for g in groups), 222, "households in groups")
        r = status(admin.get(f"/api/v1/villages/{s.village_id}/households?per_page=200"), 200, "list")
        eq(r.json["total"], 222, "total households")
        eq(len(r.json["items"]), 200, "first page")
        r2 = status(admin.get(f"/api/v1/villages/{s.village_id}/households?per_page=200&page=2"), 200, "page 2")
        eq(len(r2.json["items"]), 22, "second page")
    finally:
        s.close()


if __name__ == "__main__":
    run(globals())
