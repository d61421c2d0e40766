#compdef git-task
# zsh completion for git-task: `git-task <TAB>`, and `git task <TAB>`
# through zsh's git completion (which calls _git-task). The candidates
# come from the binary, called directly, not through git:
# `git-task completions zsh --complete -- WORDS`.

_git-task() {
    local -a candidates
    candidates=("${(@f)$(git-task completions zsh --complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
    if [[ -n ${candidates[1]} ]]; then
        _describe -t values 'git task' candidates
    else
        _files
    fi
}

if [ "$funcstack[1]" = "_git-task" ]; then
    _git-task "$@"
else
    compdef _git-task git-task
fi
