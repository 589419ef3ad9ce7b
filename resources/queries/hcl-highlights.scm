; Enclave's own highlights for tree-sitter-hcl (its wheel ships none).
(comment) @comment
(block (identifier) @type)
(block (string_lit) @string)
(attribute (identifier) @property)
(object_elem key: (expression (variable_expr (identifier) @property)))
(function_call (identifier) @function)
(get_attr (identifier) @property)
[(string_lit) (quoted_template) (heredoc_template) (template_literal)] @string
[(heredoc_identifier) (heredoc_start)] @punctuation.special
(template_interpolation) @embedded
[(template_interpolation_start) (template_interpolation_end)] @punctuation.special
(numeric_lit) @number
(bool_lit) @boolean
(null_lit) @constant.builtin
["for" "in" "if" "else" "endif" "endfor"] @keyword
