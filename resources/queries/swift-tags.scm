; Swift tags for Enclave.
(class_body (function_declaration name: (simple_identifier) @name.definition.method) @definition.method)
(protocol_function_declaration name: (simple_identifier) @name.definition.method) @definition.method
(class_declaration name: (type_identifier) @name.definition.class) @definition.class
(protocol_declaration name: (type_identifier) @name.definition.interface) @definition.interface
(function_declaration name: (simple_identifier) @name.definition.function) @definition.function
(class_body (property_declaration name: (pattern (simple_identifier) @name.definition.property)) @definition.property)

(call_expression (simple_identifier) @name.reference.call)
(call_expression (navigation_expression suffix: (navigation_suffix suffix: (simple_identifier) @name.reference.call)))
(inheritance_specifier inherits_from: (user_type (type_identifier) @name.reference.class))
(user_type (type_identifier) @name.reference.type)
(import_declaration (identifier (simple_identifier) @name.reference.import))

(comment) @doc
(multiline_comment) @doc
