with

stg_seller__nps_responses as (

    select * from {{ ref('stg_seller__nps_responses') }}
    where {{ rebuilt_shops_only() }}

),

stg_seller__campaigns as (

    select * from {{ ref('stg_seller__campaigns') }}
    where {{ rebuilt_shops_only() }}

),

-- responses without a campaign form their own `(none)` group so no feedback is dropped
valid_responses as (

    select
        shop_id,
        {{ nps_band('score') }} as nps_band,
        coalesce(campaign_id, '(none)') as campaign_id
    from stg_seller__nps_responses
    where {{ is_nps_score('score') }}

),

campaign_scores as (

    select
        shop_id,
        campaign_id,
        count(*) as responses,
        {{ nps_band_counts() }}
    from valid_responses
    group by
        shop_id,
        campaign_id

),

final as (

    select
        campaign_scores.shop_id,
        campaign_scores.campaign_id,
        stg_seller__campaigns.campaign_type,
        campaign_scores.responses,
        campaign_scores.promoters,
        campaign_scores.passives,
        campaign_scores.detractors,
        coalesce(
            stg_seller__campaigns.campaign_name,
            case when campaign_scores.campaign_id = '(none)' then '(no campaign)' end
        ) as campaign_name,
        {{ nps('campaign_scores.promoters', 'campaign_scores.detractors', 'campaign_scores.responses') }} as nps
    from campaign_scores
    left join stg_seller__campaigns
        on
            campaign_scores.shop_id = stg_seller__campaigns.shop_id
            and campaign_scores.campaign_id = stg_seller__campaigns.campaign_id

)

select * from final
