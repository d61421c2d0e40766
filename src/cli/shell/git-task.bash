# bash completion for git-task: `git task <TAB>` through git's own
# completion (which calls _git_task), and `git-task <TAB>`.
# The candidates come from the binary: `git-task completions bash
# --complete -- WORDS` answers from the command definition and the
# repository's task ids. It is called directly, not through git.

# Completes the words from index $1 (the one after `task`) to cword, in
# the repository of git's `-C` options when git's completion collected
# them (`git -C DIR task show <TAB>`): they compose as git composes them.
_git_task_candidates() {
    local IFS=$'\n' dir="" i
    local -a C=()
    if [[ -n ${__git_C_args-} ]]; then
        for ((i = 1; i < ${#__git_C_args[@]}; i += 2)); do
            case ${__git_C_args[i]} in
            /*) dir=${__git_C_args[i]} ;;
            *) dir=${dir:+$dir/}${__git_C_args[i]} ;;
            esac
        done
    fi
    [[ -n $dir ]] && C=(-C "$dir")
    COMPREPLY=($(git-task "${C[@]}" completions bash --complete -- "${words[@]:$1:cword-$1+1}" 2>/dev/null))
}

# Called by git's completion, which sets words, cword and cur.
_git_task() {
    local i=1
    while [[ $i -lt $cword && ${words[i]} != task ]]; do
        ((i++))
    done
    _git_task_candidates $((i + 1))
    # git's completion is registered with -o nospace.
    local j
    for j in "${!COMPREPLY[@]}"; do
        COMPREPLY[j]+=" "
    done
}

_git_task_main() {
    local words cword
    if declare -F _get_comp_words_by_ref >/dev/null; then
        _get_comp_words_by_ref -n =: words cword
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    _git_task_candidates 1
}

complete -F _git_task_main -o bashdefault -o default git-task
