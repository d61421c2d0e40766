# fish completion for git-task: `git-task <TAB>` and `git task <TAB>`.
# The candidates come from the binary: `git-task completions fish
# --complete -- WORDS` answers from the command definition and the
# repository's task ids. It is called directly, not through git, and
# its stderr goes to /dev/null: nothing lands on the terminal at Tab.

# The words after `git [global options] task`; fails on another command.
function __git_task_words
    set -l words (commandline -opc)
    set -e words[1]
    while set -q words[1]
        switch $words[1]
            case -C -c --git-dir --work-tree --namespace
                set -e words[1]
                set -e words[1]
            case '-*'
                set -e words[1]
            case task
                set -e words[1]
                set -q words[1]; and printf '%s\n' $words
                return 0
            case '*'
                return 1
        end
    end
    return 1
end

complete -c git-task -f -a '(git-task completions fish --complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'
complete -c git -f -n __git_task_words -a '(git-task completions fish --complete -- (__git_task_words) (commandline -ct) 2>/dev/null)'
