// TEMPORARY (exp-api): the types below belong to exp-clients (binding signatures of the exports brief). They are
// declared here only so the export model compiles before exp-clients lands; whoever merges exp-clients deletes
// this file (same names, same members, so nothing else changes).
namespace CleverTapSegment.CleverTap
{
    public enum ExportDataType { Events, Profiles }
}

namespace CleverTapSegment.Segment
{
    public enum SegmentRegion { US, EU }
}

namespace CleverTapSegment.Exports.Mapping
{
    public enum UserIdSource { Identity, Email, None }

    public enum AnonymousIdSource { ObjectId, None }

    public sealed record ExportIdentitySources(UserIdSource UserId, AnonymousIdSource AnonymousId);
}
