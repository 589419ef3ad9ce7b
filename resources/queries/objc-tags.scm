; Objective-C tags for Enclave.
(class_interface . (identifier) @name.definition.class) @definition.class
(class_implementation . (identifier) @name.definition.class) @definition.class
(protocol_declaration . (identifier) @name.definition.interface) @definition.interface
(method_declaration (identifier) @name.definition.method) @definition.method
(method_definition (identifier) @name.definition.method) @definition.method
(function_definition declarator: (function_declarator declarator: (identifier) @name.definition.function)) @definition.function
(struct_specifier name: (type_identifier) @name.definition.struct body: (_)) @definition.struct
(type_definition declarator: (type_identifier) @name.definition.type) @definition.type
(preproc_def name: (identifier) @name.definition.macro) @definition.macro

(call_expression function: (identifier) @name.reference.call)
(message_expression method: (identifier) @name.reference.call)
(class_interface superclass: (identifier) @name.reference.class)
(type_identifier) @name.reference.type

(comment) @doc
