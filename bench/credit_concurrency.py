#!/usr/bin/env python3
"""Two users confirm two orders of one customer at the same moment; each order fits the limit,
both together do not. The credit check serializes them: the second transaction waits for the
first, fails with a serialization error (which Odoo's RPC layer retries), and its retry is
refused because it now sees the first order. Runs on the credit benchmark database."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import BENCH_DB_SUFFIX, prepare_db, report  # noqa: E402

DB = "kakeuri_bench_credit_concurrency" + BENCH_DB_SUFFIX


def main():
    import odoo  # noqa: PLC0415
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    conf = prepare_db(DB)
    odoo.tools.config.parse_config(["-c", conf, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(DB)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        policy = env["kakeuri.credit.policy"].create(
            {"name": f"Concurrency {time.time()}", "hold_mode": "block"}
        )
        partner = env["res.partner"].create(
            {"name": "Kabushiki Kaisha Doji", "is_company": True, "kakeuri_credit_policy_id": policy.id}
        )
        partner.credit_limit = 1000.0
        product = env["product.product"].create({"name": "Concurrency tea", "taxes_id": False})
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "product_uom_qty": 6, "price_unit": 100.0})
                    ],
                }
                for _i in range(2)
            ]
        )
        cr.commit()
        order_ids = orders.ids

    results = {}

    def confirm(order_id, key, hold=0.0):
        try:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["sale.order"].browse(order_id).action_confirm()
                time.sleep(hold)  # keep the transaction open while the other one starts
                cr.commit()
                results[key] = "confirmed"
        except Exception as exc:  # noqa: BLE001 - we report what happened
            results[key] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:90]}"

    first = threading.Thread(target=confirm, args=(order_ids[0], "first", 2.0))
    first.start()
    time.sleep(0.5)
    second = threading.Thread(target=confirm, args=(order_ids[1], "second (concurrent)"))
    second.start()
    first.join()
    second.join()
    confirm(order_ids[1], "second (retried)")
    rows = [{"transaction": k, "result": v} for k, v in results.items()]
    report("credit_concurrency", rows)
    ok = (
        results["first"] == "confirmed"
        and results["second (concurrent)"].startswith("SerializationFailure")
        and results["second (retried)"].startswith("UserError")
    )
    print(f"concurrent confirmations serialized: {ok}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
