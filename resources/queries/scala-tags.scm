; Scala tags for Enclave.
(template_body (function_definition name: (identifier) @name.definition.method) @definition.method)
(template_body (function_declaration name: (identifier) @name.definition.method) @definition.method)
(class_definition name: (identifier) @name.definition.class) @definition.class
(trait_definition name: (identifier) @name.definition.interface) @definition.interface
(object_definition name: (identifier) @name.definition.object) @definition.object
(enum_definition name: (identifier) @name.definition.enum) @definition.enum
(function_definition name: (identifier) @name.definition.function) @definition.function
(type_definition name: (type_identifier) @name.definition.type) @definition.type

(call_expression function: (identifier) @name.reference.call)
(call_expression function: (field_expression field: (identifier) @name.reference.call))
(instance_expression (type_identifier) @name.reference.class)
(extends_clause type: (type_identifier) @name.reference.class)
(type_identifier) @name.reference.type
(import_declaration path: (identifier) @name.reference.import)

(comment) @doc
(block_comment) @doc
