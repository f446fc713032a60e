from . import aging_report, aging_xlsx, dunning_candidates, dunning_collection, receivable_ledger
