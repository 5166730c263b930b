"""Egress destinations carry where their network is registered and who runs it (offline GeoLite2 data
shipped in geoip2fast), each run the name and date of that data, and each capture device how it was
linked to an audited device (by MAC or by address). All nullable: older runs simply do not know.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_egress_geo"
down_revision = "0002_sites"
branch_labels = None
depends_on = None

COLUMNS = (("egress_run", "geo_data"), ("egress_device", "linked_by"),
           ("egress_flow", "geo_country"), ("egress_flow", "network_owner"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, sa.String(), nullable=True))
