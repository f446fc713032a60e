from . import (
    account_move_credit,
    kakeuri_credit_policy,
    res_partner_aging,
    res_partner_credit,
    sale_order_credit,
    sale_order_line_credit,
)
