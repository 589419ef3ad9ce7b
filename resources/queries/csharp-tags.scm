; C# tags for Enclave.
(method_declaration name: (identifier) @name.definition.method) @definition.method
(constructor_declaration name: (identifier) @name.definition.method) @definition.method
(property_declaration name: (identifier) @name.definition.property) @definition.property
(class_declaration name: (identifier) @name.definition.class) @definition.class
(interface_declaration name: (identifier) @name.definition.interface) @definition.interface
(struct_declaration name: (identifier) @name.definition.struct) @definition.struct
(enum_declaration name: (identifier) @name.definition.enum) @definition.enum
(record_declaration name: (identifier) @name.definition.class) @definition.class
(namespace_declaration name: (_) @name.definition.module) @definition.module

(invocation_expression function: (identifier) @name.reference.call)
(invocation_expression function: (member_access_expression name: (identifier) @name.reference.call))
(object_creation_expression type: (identifier) @name.reference.class)
(base_list (identifier) @name.reference.class)
(using_directive (identifier) @name.reference.import)
(attribute name: (identifier) @name.reference.decorator)

(comment) @doc
