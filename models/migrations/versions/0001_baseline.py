"""Baseline: the schema camaudit wrote before Alembic ("schema 1"), frozen here.

On an empty database it creates every table. On a database written before Alembic (no
alembic_version) it adopts the file: creates the tables it lacks (the egress tables were created on
first use), adds the nullable columns older files lack (run pid/host/heartbeat, snapshot
data_flows/protocol_status) and the indexes, without touching a row. On SQLite it then sets
PRAGMA user_version = 2, which camaudit releases before Alembic refuse as "written by a newer camaudit".
Byte and packet counters are BIGINT (PostgreSQL's INTEGER is 32-bit; SQLite's is 64-bit either way).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

_META = sa.MetaData()


sa.Table('audit_run', _META,
    sa.Column('started', sa.DateTime(), nullable=False),
    sa.Column('finished', sa.DateTime(), nullable=True),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('camaudit_version', sa.String(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('device_count', sa.Integer(), nullable=False),
    sa.Column('reachable_count', sa.Integer(), nullable=False),
    sa.Column('finding_count', sa.Integer(), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('host', sa.String(), nullable=True),
    sa.Column('heartbeat', sa.DateTime(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('device', _META,
    sa.Column('serial', sa.String(), nullable=True),
    sa.Column('mac', sa.String(), nullable=True),
    sa.Column('address', sa.String(), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('brand', sa.String(), nullable=True),
    sa.Column('model', sa.String(), nullable=True),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('device_type', sa.String(), nullable=True),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('egress_run', _META,
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('started', sa.DateTime(), nullable=False),
    sa.Column('finished', sa.DateTime(), nullable=True),
    sa.Column('complete', sa.Boolean(), nullable=False),
    sa.Column('capture_started', sa.DateTime(), nullable=True),
    sa.Column('capture_ended', sa.DateTime(), nullable=True),
    sa.Column('packets', sa.BigInteger(), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('partial', sa.Boolean(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('site_networks', sa.JSON(), nullable=False),
    sa.Column('allow_list', sa.String(), nullable=True),
    sa.Column('device_count', sa.Integer(), nullable=False),
    sa.Column('finding_count', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('device_snapshot', _META,
    sa.Column('address', sa.String(), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('reachable', sa.Boolean(), nullable=False),
    sa.Column('auth', sa.String(), nullable=True),
    sa.Column('brand', sa.String(), nullable=True),
    sa.Column('manufacturer', sa.String(), nullable=True),
    sa.Column('oem', sa.Boolean(), nullable=True),
    sa.Column('model', sa.String(), nullable=True),
    sa.Column('device_type', sa.String(), nullable=True),
    sa.Column('firmware', sa.String(), nullable=True),
    sa.Column('firmware_date', sa.Date(), nullable=True),
    sa.Column('serial', sa.String(), nullable=True),
    sa.Column('mac', sa.String(), nullable=True),
    sa.Column('name', sa.String(), nullable=True),
    sa.Column('started', sa.DateTime(), nullable=True),
    sa.Column('finished', sa.DateTime(), nullable=True),
    sa.Column('finding_count', sa.Integer(), nullable=False),
    sa.Column('worst_severity', sa.String(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('recorded', sa.DateTime(), nullable=False),
    sa.Column('protocols', sa.JSON(), nullable=False),
    sa.Column('identity_evidence', sa.JSON(), nullable=False),
    sa.Column('channels', sa.JSON(), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('probes', sa.JSON(), nullable=False),
    sa.Column('data_flows', sa.JSON(), nullable=True),
    sa.Column('protocol_status', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['run_id'], ['audit_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('egress_device', _META,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(), nullable=False),
    sa.Column('mac', sa.String(), nullable=True),
    sa.Column('internal_packets', sa.BigInteger(), nullable=True),
    sa.Column('internal_bytes', sa.BigInteger(), nullable=True),
    sa.Column('finding_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['egress_run.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('egress_dns', _META,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('egress_device_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('queries', sa.Integer(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('rcode', sa.String(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('led_to_connection', sa.Boolean(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['egress_device_id'], ['egress_device.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('egress_finding', _META,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('egress_device_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('finding', sa.String(), nullable=False),
    sa.Column('severity', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('recommendation', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['egress_device_id'], ['egress_device.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('egress_flow', _META,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('egress_device_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('transport', sa.String(), nullable=False),
    sa.Column('label', sa.String(), nullable=False),
    sa.Column('setting', sa.String(), nullable=True),
    sa.Column('country', sa.String(), nullable=True),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('sni', sa.JSON(), nullable=False),
    sa.Column('http_host', sa.JSON(), nullable=False),
    sa.Column('packets_out', sa.BigInteger(), nullable=False),
    sa.Column('packets_in', sa.BigInteger(), nullable=False),
    sa.Column('bytes_out', sa.BigInteger(), nullable=False),
    sa.Column('bytes_in', sa.BigInteger(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('syn_packets', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['egress_device_id'], ['egress_device.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('feature_record', _META,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Integer(), nullable=True),
    sa.Column('feature', sa.String(), nullable=False),
    sa.Column('supported', sa.Boolean(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['device_snapshot.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('finding_record', _META,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('finding', sa.String(), nullable=False),
    sa.Column('severity', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('recommendation', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['device_snapshot.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('remote_access_record', _META,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('supported', sa.Boolean(), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=True),
    sa.Column('destination', sa.String(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['device_snapshot.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
)


def _col(table: str, column: str) -> sa.Column:
    return _META.tables[table].c[column]


# Created with their tables; added one by one to an adopted file that lacks them.
INDEXES = [
    sa.Index('ix_audit_run_started', _col('audit_run', 'started')),
    sa.Index('ix_device_address_port', _col('device', 'address'), _col('device', 'port')),
    sa.Index('ix_device_mac', _col('device', 'mac')),
    sa.Index('ix_device_serial', _col('device', 'serial')),
    sa.Index('ix_egress_run_started', _col('egress_run', 'started')),
    sa.Index('ix_device_snapshot_address', _col('device_snapshot', 'address')),
    sa.Index('ix_snapshot_device', _col('device_snapshot', 'device_id'), _col('device_snapshot', 'id')),
    sa.Index('ix_snapshot_run', _col('device_snapshot', 'run_id'), _col('device_snapshot', 'id')),
    sa.Index('ix_egress_device_address', _col('egress_device', 'address')),
    sa.Index('ix_egress_device_device_id', _col('egress_device', 'device_id')),
    sa.Index('ix_egress_device_run', _col('egress_device', 'run_id'), _col('egress_device', 'id')),
    sa.Index('ix_egress_dns_egress_device_id', _col('egress_dns', 'egress_device_id')),
    sa.Index('ix_egress_finding_egress_device_id', _col('egress_finding', 'egress_device_id')),
    sa.Index('ix_egress_finding_finding', _col('egress_finding', 'finding')),
    sa.Index('ix_egress_flow_address', _col('egress_flow', 'address')),
    sa.Index('ix_egress_flow_egress_device_id', _col('egress_flow', 'egress_device_id')),
    sa.Index('ix_egress_flow_label', _col('egress_flow', 'label')),
    sa.Index('ix_feature_feature_enabled', _col('feature_record', 'feature'), _col('feature_record', 'enabled')),
    sa.Index('ix_feature_record_snapshot_id', _col('feature_record', 'snapshot_id')),
    sa.Index('ix_finding_record_finding', _col('finding_record', 'finding')),
    sa.Index('ix_finding_record_snapshot_id', _col('finding_record', 'snapshot_id')),
    sa.Index('ix_remote_access_kind_enabled', _col('remote_access_record', 'kind'),
             _col('remote_access_record', 'enabled')),
    sa.Index('ix_remote_access_record_snapshot_id', _col('remote_access_record', 'snapshot_id')),
]


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    present = set(inspector.get_table_names())
    for table in _META.sorted_tables:
        if table.name not in present:
            table.create(bind)
            continue
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            if not column.nullable:
                raise RuntimeError(f"{table.name}.{column.name} is missing and cannot be added to an existing table")
            op.add_column(table.name, column._copy())
    for index in INDEXES:
        if index.name not in {i["name"] for i in inspector.get_indexes(index.table.name)}:
            index.create(bind)
    if bind.dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 2")
