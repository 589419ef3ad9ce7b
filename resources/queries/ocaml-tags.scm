; OCaml tags for Enclave.
(value_definition (let_binding pattern: (value_name) @name.definition.function) @definition.function)
(type_binding name: (type_constructor) @name.definition.type) @definition.type
(constructor_declaration (constructor_name) @name.definition.constructor) @definition.constructor
(module_binding (module_name) @name.definition.module) @definition.module
(module_type_definition (module_type_name) @name.definition.interface) @definition.interface
(class_binding (class_name) @name.definition.class) @definition.class
(method_definition (method_name) @name.definition.method) @definition.method
(value_specification (value_name) @name.definition.function) @definition.function

(application_expression function: (value_path (value_name) @name.reference.call))
(value_path (value_name) @name.reference.value)
(constructor_path (constructor_name) @name.reference.class)
(type_constructor_path (type_constructor) @name.reference.type)
(open_module (module_path (module_name) @name.reference.module))

(comment) @doc
