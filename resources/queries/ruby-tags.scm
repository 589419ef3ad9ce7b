; Ruby tags for Enclave.
(method name: (_) @name.definition.method) @definition.method
(singleton_method name: (_) @name.definition.method) @definition.method
(class name: (constant) @name.definition.class) @definition.class
(class name: (scope_resolution name: (constant) @name.definition.class)) @definition.class
(module name: (constant) @name.definition.module) @definition.module
(module name: (scope_resolution name: (constant) @name.definition.module)) @definition.module
(assignment left: (constant) @name.definition.constant) @definition.constant

(call method: (identifier) @name.reference.call)
(superclass (constant) @name.reference.class)
(superclass (scope_resolution name: (constant) @name.reference.class))
(scope_resolution name: (constant) @name.reference.class)
(body_statement (identifier) @name.reference.call)
(constant) @name.reference.constant

(comment) @doc
