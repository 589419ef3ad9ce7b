; inherits: typescript
; TSX: the TypeScript tags plus components used in JSX.
(jsx_opening_element name: (identifier) @name.reference.component)
(jsx_self_closing_element name: (identifier) @name.reference.component)
