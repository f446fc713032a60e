from . import aging_report, aging_xlsx, dunning_collection, receivable_ledger
