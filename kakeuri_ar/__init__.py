from . import controllers, models, report, wizards


def post_init_hook(env):
    """On install, after the demo data: the month-end receivables snapshots of the last
    12 months of every company, so the dashboard has a trend from the start."""
    env["kakeuri.ar.snapshot"]._install_backfill()
