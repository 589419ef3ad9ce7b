; Java tags for Enclave.
(method_declaration name: (identifier) @name.definition.method) @definition.method
(constructor_declaration name: (identifier) @name.definition.method) @definition.method
(class_declaration name: (identifier) @name.definition.class) @definition.class
(interface_declaration name: (identifier) @name.definition.interface) @definition.interface
(enum_declaration name: (identifier) @name.definition.enum) @definition.enum
(record_declaration name: (identifier) @name.definition.class) @definition.class
(annotation_type_declaration name: (identifier) @name.definition.interface) @definition.interface
(field_declaration declarator: (variable_declarator name: (identifier) @name.definition.field)) @definition.field

(method_invocation name: (identifier) @name.reference.call)
(object_creation_expression type: (type_identifier) @name.reference.class)
(superclass (type_identifier) @name.reference.class)
(super_interfaces (type_list (type_identifier) @name.reference.interface))
(type_identifier) @name.reference.type
(import_declaration (scoped_identifier name: (identifier) @name.reference.import))
(marker_annotation name: (identifier) @name.reference.decorator)
(annotation name: (identifier) @name.reference.decorator)

(line_comment) @doc
(block_comment) @doc
