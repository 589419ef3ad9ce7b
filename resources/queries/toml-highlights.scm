; Enclave's corrections in front of tree-sitter-toml's query: its first pattern gives every
; bare key @type, so a table's name and a key would look alike.
(table (bare_key) @type)
(table (dotted_key (bare_key) @type))
(table (quoted_key) @type)
(table_array_element (bare_key) @type)
(table_array_element (dotted_key (bare_key) @type))
(pair (bare_key) @property)
(pair (dotted_key (bare_key) @property))
(pair (quoted_key) @property)
