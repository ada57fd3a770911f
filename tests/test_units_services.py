"""The unit tree: closure table, moves, search, CSV import/export, clusters."""

import pytest
from sqlalchemy import event, func, select

from feedback.units import services
from feedback.units.models import Cluster, Unit, UnitClosure, UnitLevel
from tests.conftest import SMALL_TREE_CSV

HEADER = "code,parent_code,level,name_vi,name_en,address,active\n"


def codes(units):
    return sorted(u.code for u in units)


def test_subtree_is_one_indexed_query(tree, db):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = services.subtree(tree["CM-TPCM"])
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert codes(found) == ["CM-TPCM", "CM-TPCM-P5", "CM-TPCM-P9"]
    assert len(statements) == 1 and "unit_closure" in statements[0]


def test_closure_rows_and_ancestors(tree, db):
    p5 = tree["CM-TPCM-P5"]
    assert [u.code for u in services.ancestors(p5)] == ["BCA", "CM", "CM-TPCM"]
    depths = dict(db.session.execute(select(UnitClosure.ancestor_id, UnitClosure.depth)
                                     .where(UnitClosure.descendant_id == p5.id)).all())
    assert depths == {p5.id: 0, tree["CM-TPCM"].id: 1, tree["CM"].id: 2, tree["BCA"].id: 3}
    assert len(services.subtree(tree["CM"])) == 10


def test_move_unit_moves_the_whole_subtree(tree, db):
    team = tree["CM-PC08-D1"]
    services.move_unit(team, tree["CM-THB"])
    assert "CM-PC08-D1" in codes(services.subtree(tree["CM-THB"]))
    assert "CM-PC08-D1" not in codes(services.subtree(tree["CM-PC08"]))
    assert [u.code for u in services.ancestors(team)] == ["BCA", "CM", "CM-THB"]


def test_move_into_own_subtree_is_refused(tree):
    with pytest.raises(services.UnitError):
        services.move_unit(tree["CM-TPCM"], tree["CM-TPCM-P5"])


def test_level_rules_on_add(tree):
    with pytest.raises(services.UnitError):
        services.add_unit("CM-BAD", "Xã sai", UnitLevel.commune, tree["CM"])
    with pytest.raises(services.UnitError):
        services.add_unit("CM-TPCM-P5", "Trùng mã", UnitLevel.commune, tree["CM-TPCM"])
    added = services.add_unit("cm-tpcm-p7", "Công an Phường 7", UnitLevel.commune, tree["CM-TPCM"])
    assert added.code == "CM-TPCM-P7"


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [
        ("phuong 5 ca mau", "CM-TPCM-P5"),
        ("Phường 5", "CM-TPCM-P5"),
        ("PHUONG 9", "CM-TPCM-P9"),
        ("thoi binh", "CM-THB"),
        ("tan loc", "CM-THB-TANLOC"),
        ("cm-pc08", "CM-PC08"),
    ],
)
def test_search_ignores_accents_and_case(tree, query, expected_first):
    assert services.search_units(query)[0].code == expected_first


def test_search_with_wildcards_and_nothing(tree):
    assert services.search_units("%") == []
    assert services.search_units("   ") == []
    assert services.search_units("không có đơn vị này") == []


def test_inactive_units_hidden_from_search(tree, db):
    services.update_unit(tree["CM-TPCM-P9"], "Công an Phường 9", None, "Phường 9", is_active=False)
    assert "CM-TPCM-P9" not in codes(services.search_units("phuong 9"))
    assert "CM-TPCM-P9" in codes(services.search_units("phuong 9", active_only=False))


def rejected(data):
    with pytest.raises(services.ImportRejected) as info:
        services.import_units(data)
    return [(p.line, str(p.message)) for p in info.value.problems]


def count_units(db):
    return db.session.scalar(select(func.count()).select_from(Unit))


def test_import_lists_every_problem_by_line_and_imports_nothing(app, db):
    data = HEADER + "\n".join([
        "BCA,,ministry,Bộ Công an,,,1",                       # 2 ok
        "CM,BCA,province,Công an tỉnh,,,1",                   # 3 ok
        "CM-X,NOPE,district,Quận X,,,1",                      # 4 unknown parent
        "CM,BCA,province,Trùng,,,1",                          # 5 duplicate code
        "CM-C1,CM,commune,Xã đặt sai cấp,,,1",                # 6 commune under province
        "CM-D1,CM,district,Huyện,,,2",                        # 7 bad active flag
        "bad code!,CM,district,Huyện,,,1",                    # 8 invalid code
        "CM-D2,CM,city,Thành phố,,,1",                        # 9 unknown level
        "CM-D3,CM,district,,,,1",                             # 10 empty name
    ]) + "\n"
    problems = rejected(data)
    lines = [line for line, _ in problems]
    assert lines == [4, 5, 6, 7, 8, 9, 10]
    assert "NOPE" in problems[0][1]
    assert count_units(db) == 0


def test_import_detects_cycles(app, db):
    data = HEADER + "BCA,,ministry,Bộ,,,1\nT1,T2,team,Đội 1,,,1\nT2,T1,team,Đội 2,,,1\n"
    problems = rejected(data)
    assert {line for line, _ in problems} == {3, 4}
    assert {line for line, message in problems if "vòng lặp" in message} == {3, 4}
    assert count_units(db) == 0


def test_import_rejects_bad_encoding_and_missing_columns(app, db):
    problems = rejected((HEADER + "BCA,,ministry,Bộ Công an,,,1\n").encode("utf-16"))
    assert problems[0][0] == 1
    latin = (HEADER + "BCA,,ministry,B\xf4,,,1\n").encode("latin-1")
    assert rejected(latin)[0][0] == 2
    problems = rejected("code,level,name_vi\nBCA,ministry,Bộ\n")
    assert "parent_code" in problems[0][1] and "active" in problems[0][1]
    assert count_units(db) == 0


def test_import_updates_moves_and_round_trips(tree, db):
    before = count_units(db)
    exported = services.export_units()
    summary = services.import_units(exported)
    assert summary.created == [] and summary.updated == [] and summary.unchanged == before

    moved = exported.replace("CM-PC08-D1,CM-PC08,team", "CM-PC08-D1,CM-THB,team")
    summary = services.import_units(moved)
    assert summary.updated == ["CM-PC08-D1"]
    assert "CM-PC08-D1" in codes(services.subtree(tree["CM-THB"]))
    assert count_units(db) == before


def test_export_lists_parents_first(tree):
    lines = services.export_units().splitlines()
    assert lines[0] == HEADER.strip()
    position = {line.split(",")[0]: i for i, line in enumerate(lines)}
    assert position["BCA"] < position["CM"] < position["CM-TPCM"] < position["CM-TPCM-P5"]


def test_level_of_existing_unit_cannot_change(tree):
    problems = rejected(HEADER + "CM-TPCM,CM,department,Công an TP,,,1\n")
    assert problems[0][0] == 2


CLUSTERS = """year,code,name_vi,name_en,lead_code,members
2026,CUM-1,Cụm 1,Cluster 1,CM-TPCM,CM-TPCM;CM-THB
2026,CUM-2,Cụm 2,,CM-TPCM-P5,CM-TPCM-P5;CM-TPCM-P9;CM-THB-TANLOC
"""


def test_clusters_import_and_unit_once_per_year(tree, db):
    assert services.import_clusters(CLUSTERS) == 2
    clusters = services.clusters_for_year(2026)
    assert [c.code for c in clusters] == ["CUM-1", "CUM-2"]
    assert clusters[0].lead_unit.code == "CM-TPCM"
    assert [c.code for c in services.clusters_of_unit(tree["CM-THB"])] == ["CUM-1"]

    duplicate = CLUSTERS + "2026,CUM-3,Cụm 3,,CM-THB,CM-THB\n"
    with pytest.raises(services.ImportRejected) as info:
        services.import_clusters(duplicate)
    assert info.value.problems[0].line == 4
    bad_lead = "year,code,name_vi,name_en,lead_code,members\n2026,CUM-9,Cụm 9,,CM,CM-TPCM\n"
    with pytest.raises(services.ImportRejected):
        services.import_clusters(bad_lead)
    assert db.session.scalar(select(func.count()).select_from(Cluster)) == 2


def test_small_tree_fixture_matches_csv(tree):
    assert len(tree) == SMALL_TREE_CSV.count("\n") - 1
