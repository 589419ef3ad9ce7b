; Nix tags for Enclave.
(binding attrpath: (attrpath . (identifier) @name.definition.function) expression: (function_expression)) @definition.function
(let_expression (binding_set (binding attrpath: (attrpath . (identifier) @name.definition.variable)) @definition.variable))
(source_code (attrset_expression (binding_set (binding attrpath: (attrpath . (identifier) @name.definition.attribute)) @definition.attribute)))

(apply_expression function: (variable_expression name: (identifier) @name.reference.call))
(apply_expression function: (select_expression attrpath: (attrpath (identifier) @name.reference.call .)))
(select_expression attrpath: (attrpath (identifier) @name.reference.attribute))
(inherit_from (inherited_attrs (identifier) @name.reference.variable))

(comment) @doc
