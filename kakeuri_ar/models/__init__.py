# Mixins first: the models that inherit them are built after them.
from . import kakeuri_credit_banner_mixin

# isort: split
from . import (
    account_move_contract,
    account_move_credit,
    account_move_dunning,
    billing_statement,
    contract,
    contract_line,
    dunning_level,
    dunning_line,
    dunning_run,
    kakeuri_batch_mixin,
    kakeuri_credit_policy,
    mail_message,
    res_company_billing,
    res_company_dunning,
    res_config_settings_billing,
    res_config_settings_dunning,
    res_partner_aging,
    res_partner_billing,
    res_partner_credit,
    res_partner_credit_message,
    res_partner_credit_settings,
    res_partner_dunning,
    sale_order_credit,
    sale_order_line_credit,
)
