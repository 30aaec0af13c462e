using Mono.Cecil;

namespace OrderCore.Tests.Architecture;

/// <summary>One use of a type of another feature: which of our types uses which of theirs.</summary>
public sealed record ModuleUse(string From, string To, string User, string Used, bool UsedIsPublic);

/// <summary>
/// The features of the API assembly and who uses whom, read from the compiled IL (Mono.Cecil): base types,
/// interfaces, fields, signatures, attributes and every type, method and field a method body touches, so a
/// qualified name or a <c>var</c> counts as much as a <c>using</c>. A feature is a namespace
/// <c>OrderCore.Api.Features.X</c>; its public types are its surface, its internal ones are its own.
/// </summary>
public sealed class ModuleGraph
{
    public const string FeaturesNamespace = "OrderCore.Api.Features";
    public const string PlatformNamespace = "OrderCore.Api.Platform";

    private ModuleGraph(IReadOnlyList<string> modules, IReadOnlyList<ModuleUse> uses, IReadOnlyDictionary<string, IReadOnlyList<string>> surfaces)
    {
        Modules = modules;
        Uses = uses;
        Surfaces = surfaces;
    }

    public IReadOnlyList<string> Modules { get; }

    /// <summary>Every distinct (user type, used type) pair that crosses from one module to another, or from Platform into a feature.</summary>
    public IReadOnlyList<ModuleUse> Uses { get; }

    /// <summary>The public types of each feature, by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Surfaces { get; }

    public IEnumerable<(string From, string To)> Edges =>
        Uses.Where(u => u.From != "Platform").Select(u => (u.From, u.To)).Distinct().OrderBy(e => e.From, StringComparer.Ordinal).ThenBy(e => e.To, StringComparer.Ordinal);

    public static ModuleGraph Read(string assemblyPath)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        var types = assembly.MainModule.GetTypes().ToList();
        var uses = new HashSet<ModuleUse>();
        foreach (var type in types)
        {
            var from = ModuleOf(type);
            if (from is null)
            {
                continue;
            }

            var (typesUsed, membersUsed) = Referenced(type);
            foreach (var used in typesUsed.Select(r => r.Resolve()).OfType<TypeDefinition>())
            {
                var to = ModuleOf(used);
                if (to is not null && to != from && to != "Platform")
                {
                    uses.Add(new ModuleUse(from, to, Outermost(type).FullName, Outermost(used).FullName, IsVisibleSurface(used)));
                }
            }

            // A public type of another module may still have internal members: those are that module's own too.
            foreach (var member in membersUsed)
            {
                var (declaring, isPublic) = member switch
                {
                    MethodReference m when m.Resolve() is { } d => (d.DeclaringType, d.IsPublic),
                    FieldReference f when f.Resolve() is { } d => (d.DeclaringType, d.IsPublic),
                    _ => (null, true),
                };
                var to = declaring is null ? null : ModuleOf(declaring);
                if (to is not null && to != from && to != "Platform" && !isPublic)
                {
                    uses.Add(new ModuleUse(from, to, Outermost(type).FullName, $"{Outermost(declaring!).FullName}::{member.Name}", UsedIsPublic: false));
                }
            }
        }

        var surfaces = types.Where(t => !t.IsNested && t.IsPublic && ModuleOf(t) is { } m && m != "Platform")
            .GroupBy(t => ModuleOf(t)!)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(t => t.Name).Order(StringComparer.Ordinal).ToList());
        var modules = types.Select(ModuleOf).OfType<string>().Where(m => m != "Platform").Distinct().Order(StringComparer.Ordinal).ToList();
        return new ModuleGraph(modules, uses.OrderBy(u => u.User, StringComparer.Ordinal).ThenBy(u => u.Used, StringComparer.Ordinal).ToList(), surfaces);
    }

    /// <summary>Every cycle of modules, each as the modules on it (first repeated at the end).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var next = Edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var cycles = new List<IReadOnlyList<string>>();
        var seen = new HashSet<string>();
        foreach (var start in Modules)
        {
            var path = new List<string>();
            Walk(start);

            void Walk(string module)
            {
                if (path.Contains(module))
                {
                    var cycle = path.Skip(path.IndexOf(module)).Append(module).ToList();
                    if (seen.Add(string.Join(">", cycle.Skip(1).Order(StringComparer.Ordinal))))
                    {
                        cycles.Add(cycle);
                    }

                    return;
                }

                path.Add(module);
                foreach (var to in next.GetValueOrDefault(module) ?? [])
                {
                    Walk(to);
                }

                path.RemoveAt(path.Count - 1);
            }
        }

        return cycles;
    }

    /// <summary>The modules bottom-up: each after every module it uses (only defined without cycles).</summary>
    public IReadOnlyList<string> Layers()
    {
        var uses = Edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToHashSet());
        var placed = new List<string>();
        while (placed.Count < Modules.Count)
        {
            var ready = Modules.Where(m => !placed.Contains(m) && (uses.GetValueOrDefault(m) ?? []).All(placed.Contains)).ToList();
            if (ready.Count == 0)
            {
                throw new InvalidOperationException("The modules have a cycle.");
            }

            placed.AddRange(ready);
        }

        return placed;
    }

    private static string? ModuleOf(TypeDefinition type)
    {
        var ns = Outermost(type).Namespace;
        if (ns == PlatformNamespace || ns.StartsWith(PlatformNamespace + ".", StringComparison.Ordinal))
        {
            return "Platform";
        }

        if (!ns.StartsWith(FeaturesNamespace + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[(FeaturesNamespace.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    /// <summary>Public, and (when nested) inside public types all the way out.</summary>
    private static bool IsVisibleSurface(TypeDefinition type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            if (!(t.IsPublic || t.IsNestedPublic))
            {
                return false;
            }
        }

        return true;
    }

    private static (List<TypeReference> Types, List<MemberReference> Members) Referenced(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        var members = new List<MemberReference>();
        void Add(TypeReference? reference)
        {
            switch (reference)
            {
                case null:
                    return;
                case GenericInstanceType generic:
                    Add(generic.ElementType);
                    foreach (var argument in generic.GenericArguments)
                    {
                        Add(argument);
                    }

                    return;
                case TypeSpecification specification:
                    Add(specification.ElementType);
                    return;
                case GenericParameter:
                    return;
                default:
                    found.Add(reference);
                    return;
            }
        }

        void AddMethod(MethodReference method)
        {
            Add(method.DeclaringType);
            Add(method.ReturnType);
            foreach (var parameter in method.Parameters)
            {
                Add(parameter.ParameterType);
            }

            if (method is GenericInstanceMethod generic)
            {
                foreach (var argument in generic.GenericArguments)
                {
                    Add(argument);
                }
            }
        }

        void AddAttributes(ICustomAttributeProvider provider)
        {
            foreach (var attribute in provider.CustomAttributes)
            {
                Add(attribute.AttributeType);
                foreach (var argument in attribute.ConstructorArguments)
                {
                    Add(argument.Value as TypeReference);
                }
            }
        }

        Add(type.BaseType);
        AddAttributes(type);
        foreach (var implemented in type.Interfaces)
        {
            Add(implemented.InterfaceType);
        }

        foreach (var field in type.Fields)
        {
            Add(field.FieldType);
            AddAttributes(field);
        }

        foreach (var property in type.Properties)
        {
            Add(property.PropertyType);
            AddAttributes(property);
        }

        foreach (var method in type.Methods)
        {
            AddMethod(method);
            AddAttributes(method);
            foreach (var parameter in method.Parameters)
            {
                AddAttributes(parameter);
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (var variable in method.Body.Variables)
            {
                Add(variable.VariableType);
            }

            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference reference:
                        Add(reference);
                        break;
                    case MethodReference called:
                        AddMethod(called);
                        members.Add(called);
                        break;
                    case FieldReference field:
                        Add(field.DeclaringType);
                        Add(field.FieldType);
                        members.Add(field);
                        break;
                }
            }
        }

        return (found, members);
    }
}
