from . import dunning_collection
