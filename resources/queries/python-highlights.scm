; Enclave's additions in front of tree-sitter-python's query, which files these words under
; @operator: a reader expects them coloured like the other keywords.
["and" "in" "is" "not" "or" "is not" "not in"] @keyword.operator
