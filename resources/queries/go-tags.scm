; Go tags for Enclave.
(method_declaration name: (field_identifier) @name.definition.method) @definition.method
(function_declaration name: (identifier) @name.definition.function) @definition.function
(type_declaration (type_spec name: (type_identifier) @name.definition.type) @definition.type)
(method_elem name: (field_identifier) @name.definition.method) @definition.method
(source_file (const_declaration (const_spec name: (identifier) @name.definition.constant) @definition.constant))
(source_file (var_declaration (var_spec name: (identifier) @name.definition.variable) @definition.variable))

(call_expression function: (identifier) @name.reference.call)
(call_expression function: (selector_expression field: (field_identifier) @name.reference.call))
(type_identifier) @name.reference.type
(composite_literal type: (type_identifier) @name.reference.type)

(comment) @doc
