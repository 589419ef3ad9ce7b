; Zig tags for Enclave.
(struct_declaration (function_declaration name: (identifier) @name.definition.method) @definition.method)
(function_declaration name: (identifier) @name.definition.function) @definition.function
(variable_declaration (identifier) @name.definition.type [(struct_declaration) (enum_declaration) (union_declaration) (opaque_declaration)]) @definition.type
(source_file (variable_declaration (identifier) @name.definition.constant) @definition.constant)
(container_field name: (identifier) @name.definition.field) @definition.field

(call_expression function: (identifier) @name.reference.call)
(call_expression function: (field_expression member: (identifier) @name.reference.call))
(parameter type: (identifier) @name.reference.type)

(comment) @doc
