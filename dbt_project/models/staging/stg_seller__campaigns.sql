with

campaigns as (

    select * from {{ source('seller', 'campaigns') }}

),

-- sellers re-save the same CSV: the newest copy of a campaign wins
ranked as (

    select
        *,
        {{ newest_export_rank(['campaign_id']) }} as recency_rank
    from campaigns

),

final as (

    select
        _shop_id as shop_id,
        campaign_id,
        campaign_name,
        lower(campaign_type) as campaign_type,
        {{ parse_wib_ts('start_time') }} as started_at,
        {{ parse_wib_ts('end_time') }} as ended_at,
        notes,
        _export_at as export_at,
        _source_file as source_file,
        _source_row as source_row
    from ranked
    where recency_rank = 1

)

select * from final
