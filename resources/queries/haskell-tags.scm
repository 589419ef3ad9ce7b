; Haskell tags for Enclave.
(class_declarations (signature name: (variable) @name.definition.method) @definition.method)
(data_type name: (name) @name.definition.type) @definition.type
(newtype name: (name) @name.definition.type) @definition.type
(type_synonym name: (name) @name.definition.type) @definition.type
(class name: (name) @name.definition.class) @definition.class
(data_constructor constructor: (prefix name: (constructor) @name.definition.constructor)) @definition.constructor
(declarations (function name: (variable) @name.definition.function) @definition.function)
(declarations (signature name: (variable) @name.definition.function) @definition.function)
(declarations (bind name: (variable) @name.definition.function) @definition.function)

(apply function: (variable) @name.reference.call)
(apply function: (constructor) @name.reference.class)
(import_name variable: (variable) @name.reference.import)
(import module: (module (module_id) @name.reference.module))
(name) @name.reference.type

(comment) @doc
(haddock) @doc
