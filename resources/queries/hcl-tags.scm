; HCL / Terraform tags for Enclave: a block's last label is its name.
(block (identifier) @_type (#any-of? @_type "resource" "data") (string_lit) (string_lit (template_literal) @name.definition.resource)) @definition.resource
(block (identifier) @_type (#any-of? @_type "variable" "output" "module" "provider") . (string_lit (template_literal) @name.definition.block)) @definition.block
(block (identifier) @_type (#eq? @_type "locals") (body (attribute (identifier) @name.definition.constant) @definition.constant))

(get_attr (identifier) @name.reference.attribute)
(variable_expr (identifier) @name.reference.variable)
(function_call (identifier) @name.reference.call)

(comment) @doc
