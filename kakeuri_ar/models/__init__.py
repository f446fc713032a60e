# credit
# dunning
from . import (
    account_move_credit,
    account_move_dunning,
    dunning_level,
    dunning_line,
    dunning_run,
    kakeuri_credit_policy,
    res_company_dunning,
    res_config_settings_dunning,
    res_partner_credit,
    res_partner_dunning,
    sale_order_credit,
    sale_order_line_credit,
)
