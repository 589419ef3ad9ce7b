; Julia tags for Enclave.
(function_definition (signature (call_expression . (identifier) @name.definition.function))) @definition.function
(function_definition (signature (call_expression . (field_expression (identifier) @name.definition.function .)))) @definition.function
(assignment . (call_expression . (identifier) @name.definition.function)) @definition.function
(macro_definition (signature (call_expression . (identifier) @name.definition.macro))) @definition.macro
(struct_definition (type_head (identifier) @name.definition.struct)) @definition.struct
(struct_definition (type_head (binary_expression . (identifier) @name.definition.struct))) @definition.struct
(abstract_definition (type_head (identifier) @name.definition.type)) @definition.type
(abstract_definition (type_head (binary_expression . (identifier) @name.definition.type))) @definition.type
(module_definition name: (identifier) @name.definition.module) @definition.module

(call_expression . (identifier) @name.reference.call)
(call_expression . (field_expression (identifier) @name.reference.call .))
(typed_expression (identifier) @name.reference.type .)
(type_head (binary_expression (identifier) @name.reference.type .))
(using_statement (identifier) @name.reference.module)
(import_statement (identifier) @name.reference.module)

(line_comment) @doc
(block_comment) @doc
