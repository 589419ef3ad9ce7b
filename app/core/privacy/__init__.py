"""Privacy: the network guard and its ledger, the data policy, explicit export."""
