using Tessera.Model.Topology;

namespace Tessera.Controller.Topology;

/// <summary>A namespace document as read from the store, with the revision to compare-and-set against.</summary>
internal sealed record StoredNamespace(NamespaceConfig Config, long Revision);
