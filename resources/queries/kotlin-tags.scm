; Kotlin tags for Enclave.
(class_body (function_declaration name: (identifier) @name.definition.method) @definition.method)
(class_declaration name: (identifier) @name.definition.class) @definition.class
(object_declaration name: (identifier) @name.definition.object) @definition.object
(function_declaration name: (identifier) @name.definition.function) @definition.function
(source_file (property_declaration (variable_declaration (identifier) @name.definition.constant)) @definition.constant)

(call_expression (identifier) @name.reference.call)
(call_expression (navigation_expression (identifier) @name.reference.call .))
(delegation_specifier (user_type (identifier) @name.reference.class))
(delegation_specifier (constructor_invocation (user_type (identifier) @name.reference.class)))
(user_type (identifier) @name.reference.type)
(import (qualified_identifier (identifier) @name.reference.import .))

(line_comment) @doc
(block_comment) @doc
