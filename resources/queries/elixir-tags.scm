; Elixir tags for Enclave.
(call
  target: (identifier) @_kind (#any-of? @_kind "def" "defp" "defmacro" "defmacrop" "defguard" "defdelegate")
  (arguments [(call target: (identifier) @name.definition.function)
              (binary_operator left: (call target: (identifier) @name.definition.function))
              (identifier) @name.definition.function])) @definition.function
(call
  target: (identifier) @_kind (#any-of? @_kind "defmodule" "defprotocol" "defimpl")
  (arguments (alias) @name.definition.module)) @definition.module

(call target: (identifier) @name.reference.call
  (#not-match? @name.reference.call "^(def|defp|defmacro|defmacrop|defmodule|defguard|defdelegate|defprotocol|defimpl|alias|import|require|use)$"))
(call target: (dot right: (identifier) @name.reference.call))
(call target: (identifier) @_kw (#any-of? @_kw "alias" "import" "require" "use") (arguments (alias) @name.reference.module))
(dot left: (alias) @name.reference.module)

(comment) @doc
