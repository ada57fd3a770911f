"""The demo province: units, clusters and one account per role. Safe to run again."""

import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from feedback.accounts import services as accounts
from feedback.accounts.models import Role
from feedback.extensions import db
from feedback.forum import demo as forum_demo
from feedback.units import services as units
from feedback.units.models import Cluster
from surveys import demo as surveys_demo

DEMO_DATA = Path(__file__).resolve().parent / "units" / "demo_data"

# e-mail, full name, role, home unit code
DEMO_ACCOUNTS = [
    ("admin@demo.langnghe.vn", "Quản trị viên Demo", Role.admin, "CM"),
    ("chief.tpcm@demo.langnghe.vn", "Trần Văn Chỉ huy", Role.chief, "CM-TPCM"),
    ("chief.thb@demo.langnghe.vn", "Lê Thị Thới Bình", Role.chief, "CM-THB"),
    ("officer.p5@demo.langnghe.vn", "Nguyễn Văn Cán bộ", Role.officer, "CM-TPCM-P5"),
    ("inspector@demo.langnghe.vn", "Phạm Thanh Tra", Role.inspector, "CM"),
    ("moderator@demo.langnghe.vn", "Võ Kiểm Duyệt", Role.moderator, "CM"),
]

# Later capabilities (forum opinions, surveys) add their own demo seeders here.
EXTRA_SEEDERS = [forum_demo.seed_opinions, surveys_demo.seed]


def seed():
    """Load everything; yields lines to print."""
    summary = units.import_units((DEMO_DATA / "units.csv").read_bytes())
    yield f"units: {len(summary.created)} created, {len(summary.updated)} updated, {summary.unchanged} unchanged"
    if db.session.scalar(select(func.count()).select_from(Cluster)) == 0:
        count = units.import_clusters((DEMO_DATA / "clusters.csv").read_bytes())
        yield f"clusters: {count} imported"
    yield from seed_accounts()
    for seeder in EXTRA_SEEDERS:
        yield from seeder()


def seed_accounts():
    logins_file = Path(current_app.instance_path) / "demo-logins.txt"
    created = []
    for email, name, role, unit_code in DEMO_ACCOUNTS:
        if accounts.get_user_by_email(email) is not None:
            continue
        unit = units.get_unit_by_code(unit_code)
        if unit is None:
            continue
        password = secrets.token_urlsafe(12)
        accounts.create_user(email, name, role.value, unit, password)
        created.append(f"{role.value:10} {email:32} {password}   ({unit_code})")
    if created:
        with logins_file.open("a") as handle:
            handle.write("\n".join(created) + "\n")
        logins_file.chmod(0o600)
        yield "Demo logins (shown once; also in instance/demo-logins.txt):"
        yield from ("  " + line for line in created)
    else:
        yield f"demo accounts already exist; their logins are in {logins_file}"
