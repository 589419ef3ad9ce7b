; Enclave's additions in front of tree-sitter-markdown's query: code fences stand out.
(fenced_code_block_delimiter) @punctuation.special
(info_string) @label
