; Enclave's own highlights for tree-sitter-kotlin (its wheel ships none).
(identifier) @variable
[(line_comment) (block_comment) (shebang)] @comment
[(string_literal) (multiline_string_literal) (character_literal)] @string
(escape_sequence) @string.escape
(interpolation) @embedded
[(number_literal) (float_literal)] @number
(annotation) @attribute
(label) @label
(user_type (identifier) @type)
(class_declaration name: (identifier) @type)
(object_declaration name: (identifier) @type)
(type_alias (identifier) @type)
(function_declaration name: (identifier) @function)
(call_expression (identifier) @function.call)
(call_expression (navigation_expression (identifier) @function.call .))
(this_expression) @variable.builtin
(super_expression) @variable.builtin
((identifier) @constant.builtin (#any-of? @constant.builtin "true" "false" "null"))
[
  "abstract" "actual" "annotation" "as" "by" "catch" "class" "companion" "const" "constructor"
  "crossinline" "data" "do" "else" "enum" "expect" "external" "final" "finally" "for" "fun"
  "if" "import" "in" "infix" "init" "inline" "inner" "interface" "internal" "is" "lateinit"
  "noinline" "object" "open" "operator" "out" "override" "package" "private" "protected"
  "public" "return" "sealed" "suspend" "tailrec" "throw" "try" "typealias" "val" "var"
  "vararg" "when" "where" "while"
] @keyword
