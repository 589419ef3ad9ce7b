; Dart tags for Enclave.
(class_body (method_signature (function_signature name: (identifier) @name.definition.method)) @definition.method)
(class_body (declaration (function_signature name: (identifier) @name.definition.method)) @definition.method)
(class_definition name: (identifier) @name.definition.class) @definition.class
(mixin_declaration (identifier) @name.definition.class) @definition.class
(extension_declaration name: (identifier) @name.definition.class) @definition.class
(enum_declaration name: (identifier) @name.definition.enum) @definition.enum
(program (function_signature name: (identifier) @name.definition.function) @definition.function)

(superclass (type_identifier) @name.reference.class)
(interfaces (type_identifier) @name.reference.interface)
(type_identifier) @name.reference.type
(return_statement (identifier) @name.reference.call (selector (argument_part)))
(expression_statement (identifier) @name.reference.call (selector (argument_part)))
(function_body (identifier) @name.reference.call (selector (argument_part)))

(comment) @doc
(documentation_comment) @doc
