; Rust tags for Enclave.
(impl_item body: (declaration_list (function_item name: (identifier) @name.definition.method) @definition.method))
(trait_item body: (declaration_list (function_signature_item name: (identifier) @name.definition.method) @definition.method))
(function_item name: (identifier) @name.definition.function) @definition.function
(struct_item name: (type_identifier) @name.definition.struct) @definition.struct
(enum_item name: (type_identifier) @name.definition.enum) @definition.enum
(union_item name: (type_identifier) @name.definition.union) @definition.union
(trait_item name: (type_identifier) @name.definition.trait) @definition.trait
(type_item name: (type_identifier) @name.definition.type) @definition.type
(mod_item name: (identifier) @name.definition.module) @definition.module
(macro_definition name: (identifier) @name.definition.macro) @definition.macro
(const_item name: (identifier) @name.definition.constant) @definition.constant
(static_item name: (identifier) @name.definition.constant) @definition.constant

(call_expression function: (identifier) @name.reference.call)
(call_expression function: (field_expression field: (field_identifier) @name.reference.call))
(call_expression function: (scoped_identifier name: (identifier) @name.reference.call))
(macro_invocation macro: (identifier) @name.reference.macro)
(type_identifier) @name.reference.type
(use_declaration argument: (scoped_identifier name: (identifier) @name.reference.import))
(use_list (identifier) @name.reference.import)

(line_comment) @doc
(block_comment) @doc
