; Fortran tags for Enclave.
(function (function_statement name: (name) @name.definition.function)) @definition.function
(subroutine (subroutine_statement name: (name) @name.definition.function)) @definition.function
(module (module_statement (name) @name.definition.module)) @definition.module
(program (program_statement (name) @name.definition.module)) @definition.module
(derived_type_definition (derived_type_statement (type_name) @name.definition.type)) @definition.type
(interface (interface_statement (name) @name.definition.interface)) @definition.interface

(call_expression . (identifier) @name.reference.call)
(subroutine_call subroutine: (identifier) @name.reference.call)
(use_statement (module_name) @name.reference.module)

(comment) @doc
