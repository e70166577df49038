/// GradScope's version, shown by `gradscope --version` and `gradscope info`.
public enum GradScopeVersion {
    public static let string = "0.1.0"
}
