; C++ tags for Enclave.
(field_declaration_list (function_definition declarator: (function_declarator declarator: (field_identifier) @name.definition.method)) @definition.method)
(field_declaration_list (field_declaration declarator: (function_declarator declarator: (field_identifier) @name.definition.method)) @definition.method)
(function_definition declarator: (function_declarator declarator: (qualified_identifier name: (identifier) @name.definition.method))) @definition.method
(function_definition declarator: (function_declarator declarator: (identifier) @name.definition.function)) @definition.function
(function_definition declarator: (pointer_declarator declarator: (function_declarator declarator: (identifier) @name.definition.function))) @definition.function
(function_definition declarator: (reference_declarator (function_declarator declarator: (identifier) @name.definition.function))) @definition.function
(class_specifier name: (type_identifier) @name.definition.class body: (_)) @definition.class
(struct_specifier name: (type_identifier) @name.definition.struct body: (_)) @definition.struct
(union_specifier name: (type_identifier) @name.definition.union body: (_)) @definition.union
(enum_specifier name: (type_identifier) @name.definition.enum body: (_)) @definition.enum
(namespace_definition name: (namespace_identifier) @name.definition.module) @definition.module
(type_definition declarator: (type_identifier) @name.definition.type) @definition.type
(alias_declaration name: (type_identifier) @name.definition.type) @definition.type
(preproc_def name: (identifier) @name.definition.macro) @definition.macro
(preproc_function_def name: (identifier) @name.definition.macro) @definition.macro

(call_expression function: (identifier) @name.reference.call)
(call_expression function: (field_expression field: (field_identifier) @name.reference.call))
(call_expression function: (qualified_identifier name: (identifier) @name.reference.call))
(base_class_clause (type_identifier) @name.reference.class)
(type_identifier) @name.reference.type

(comment) @doc
