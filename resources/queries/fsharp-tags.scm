; F# tags for Enclave.
(function_or_value_defn (function_declaration_left . (identifier) @name.definition.function)) @definition.function
(function_or_value_defn (value_declaration_left (identifier_pattern (long_identifier_or_op (identifier) @name.definition.constant)))) @definition.constant
(type_definition (_ (type_name type_name: (identifier) @name.definition.type))) @definition.type
(union_type_case (identifier) @name.definition.constructor) @definition.constructor
(member_defn (method_or_prop_defn name: (property_or_ident (identifier) @name.definition.method .))) @definition.method
(named_module name: (long_identifier (identifier) @name.definition.module .)) @definition.module
(module_defn (identifier) @name.definition.module) @definition.module

(application_expression . (long_identifier_or_op (identifier) @name.reference.call))
(application_expression . (long_identifier_or_op (long_identifier (identifier) @name.reference.call .)))
(simple_type (long_identifier (identifier) @name.reference.type))
(import_decl (long_identifier (identifier) @name.reference.module))

(line_comment) @doc
(block_comment) @doc
