" syntax/arbiter.vim — Vim/Neovim syntax for Arbiter rule files (*.rules).
" The keywords are the lexer's (lang/lexer.re): tests/e2e/editors.sh fails
" when they drift apart.  Install: docs/editors.md.
if exists("b:current_syntax")
  finish
endif

syn keyword arbiterDeclaration import enum schema extend category table define rule test input dict lua report
syn keyword arbiterClause from in phase effective to for match on when if then else flag amount message where codes encoding format missing default position
syn keyword arbiterAttribute severity nature points key prefix required at_risk as_of list of
syn keyword arbiterOperatorWord and or not matches
syn keyword arbiterAggregate count exists any all sum min max
syn keyword arbiterBoolean true false

syn keyword arbiterType bool int money date datetime duration code text regex
syn match arbiterBuiltin "\<\(date\|year\|month\|age_years\|days_between\|days\|hours\|coalesce\|missing\|present\|abs\|len\|history\|starts_with\|least\|greatest\|label\)\ze\s*("
" a field after a dot is a name, even when it is spelled like a keyword
syn match arbiterMember "\.\@<=\h\w*"

syn match arbiterDateTime "\<\d\{4}-\d\{2}-\d\{2}[T ]\d\{2}:\d\{2}\(:\d\{2}\)\?"
syn match arbiterDate "\<\d\{4}-\d\{2}-\d\{2}\>"
syn match arbiterDuration "\<\d\+[dwh]\>"
syn match arbiterNumber "\<\d\+\(\.\d\+\)\?\>"
syn match arbiterConstant "\<\u[A-Z0-9_]*\>"
syn match arbiterOperator "==\|!=\|<=\|>=\|[<>=+*/-]"

syn region arbiterTemplate matchgroup=arbiterDelimiter start="{" end="}" contained contains=arbiterMember,arbiterBuiltin,arbiterNumber,arbiterOperator,arbiterOperatorWord
syn match arbiterEscape "\\." contained
syn region arbiterString start=+"+ skip=+\\.+ end=+"\|$+ contains=arbiterEscape,arbiterTemplate
syn region arbiterLua start="\[\[" end="\]\]"
syn match arbiterComment "#.*$" contains=@Spell

hi def link arbiterDeclaration Keyword
hi def link arbiterClause Statement
hi def link arbiterAttribute StorageClass
hi def link arbiterOperatorWord Operator
hi def link arbiterAggregate Repeat
hi def link arbiterBoolean Boolean
hi def link arbiterType Type
hi def link arbiterBuiltin Function
hi def link arbiterMember Identifier
hi def link arbiterDateTime Constant
hi def link arbiterDate Constant
hi def link arbiterDuration Number
hi def link arbiterNumber Number
hi def link arbiterConstant Constant
hi def link arbiterOperator Operator
hi def link arbiterDelimiter Delimiter
hi def link arbiterEscape SpecialChar
hi def link arbiterString String
hi def link arbiterLua Special
hi def link arbiterComment Comment

let b:current_syntax = "arbiter"
