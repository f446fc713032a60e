from . import (
    account_move_dunning,
    dunning_level,
    dunning_line,
    dunning_run,
    res_company_dunning,
    res_config_settings_dunning,
    res_partner_dunning,
)
